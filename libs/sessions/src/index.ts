export * from './agent-session.entity';
export * from './sessions-errors';
export * from './sessions.module';
export * from './sessions.service';
export * from './dto/session.view';
