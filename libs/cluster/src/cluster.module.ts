import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { ClusterLink } from './cluster-link';
import { InstanceIdentity } from './instance-identity';
import { InstanceRegistry } from './instance-registry';
import { OwnerForwarder } from './owner-forwarder';

/**
 * What instances sharing a PostgreSQL database coordinate through: this instance's identity, the
 * registry of instances (who is alive, where each is reached), the forwarding of a request to the instance that holds its work, and the link that holds the global
 * run slots. With SQLite there is one instance, and all of it answers for this one alone.
 */
@Global()
@Module({
  providers: [{ provide: InstanceIdentity, inject: [AppConfig], useFactory: InstanceIdentity.load }, ClusterLink, InstanceRegistry, OwnerForwarder],
  exports: [InstanceIdentity, ClusterLink, InstanceRegistry, OwnerForwarder],
})
export class ClusterModule {}
