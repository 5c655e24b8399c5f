export * from './background/background-runs.service';
export * from './dto/run-request.dto';
export * from './global-run-slots';
export * from './run-queue';
export * from './run.module';
export * from './run.service';
export * from './tool-run.service';
