import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditTrail } from './audit-trail';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { RefusalSampler } from './refusal-sampler';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditRepository, AuditService, AuditTrail, RefusalSampler],
  exports: [AuditService, AuditTrail, RefusalSampler],
})
export class AuditModule {}
