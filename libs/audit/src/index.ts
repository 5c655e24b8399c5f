export * from './audit-event.entity';
export * from './audit-trail';
export * from './audit.module';
export * from './audit.service';
export * from './refusal-sampler';
