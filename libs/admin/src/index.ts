export * from './admin.module';
export * from './dto/create-token.dto';
export * from './dto/token.view';
export * from './dto/audit-event.view';
