import { Module } from '@nestjs/common';
import { ChildProcessRunner } from './child-process-runner';
import { ProcessRunner } from './process-runner';

@Module({
  providers: [{ provide: ProcessRunner, useClass: ChildProcessRunner }],
  exports: [ProcessRunner],
})
export class RunnersModule {}
