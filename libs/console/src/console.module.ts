import { Module } from '@nestjs/common';
import { ConsoleBundle } from './console-bundle';
import { ConsoleController } from './console.controller';

/** Serves the operator's console at /console (built into dist/console by `npm run build`). */
@Module({
  providers: [{ provide: ConsoleBundle, useFactory: () => new ConsoleBundle() }],
  controllers: [ConsoleController],
})
export class ConsoleModule {}
