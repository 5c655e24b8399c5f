import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Clock, SystemClock } from '../clock';
import { AppConfig } from './app-config';
import { loadConfig } from './load-config';

/**
 * Reads `.env` (when present) into the environment, then validates everything once into AppConfig.
 * Variables already set in the environment win over `.env`. Also provides the Clock.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true })],
  providers: [
    { provide: AppConfig, useFactory: () => loadConfig(process.env) },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [AppConfig, Clock],
})
export class AppConfigModule {}
