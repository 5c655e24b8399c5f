export * from './dto/usage.view';
export * from './policy-errors';
export * from './usage.repository';
export * from './usage-periods';
export * from './usage-policy.service';
export * from './usage-record.entity';
export * from './usage.module';
export * from './budget-holds';
