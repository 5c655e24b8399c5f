import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditTrailMiddleware } from './audit-trail.middleware';
import { AuditService } from './audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditService, AuditTrailMiddleware],
  exports: [AuditService, AuditTrailMiddleware],
})
export class AuditModule {}
