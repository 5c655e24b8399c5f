export * from './dto/run-request.dto';
export * from './run-queue';
export * from './run.module';
export * from './run.service';
