import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { ClusterLink } from './cluster-link';
import { InstanceIdentity } from './instance-identity';
import { InstanceRegistry } from './instance-registry';

/**
 * What instances sharing a PostgreSQL database coordinate through: this instance's identity, the
 * registry of instances (who is alive, where each is reached) and the link that holds the global
 * run slots. With SQLite there is one instance, and all of it answers for this one alone.
 */
@Global()
@Module({
  providers: [{ provide: InstanceIdentity, inject: [AppConfig], useFactory: InstanceIdentity.load }, ClusterLink, InstanceRegistry],
  exports: [InstanceIdentity, ClusterLink, InstanceRegistry],
})
export class ClusterModule {}
