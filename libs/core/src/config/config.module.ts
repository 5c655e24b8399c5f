import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Clock, SystemClock } from '../clock';
import { AppConfig } from './app-config';
import { loadConfig, LoadConfigOptions } from './load-config';

/**
 * Reads `.env` (when present) into the environment, then validates everything once into AppConfig.
 * Variables already set in the environment win over `.env`. Also provides the Clock.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(options: LoadConfigOptions = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ cache: true })],
      providers: [
        { provide: AppConfig, useFactory: () => loadConfig(process.env, process.cwd(), options) },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [AppConfig, Clock],
    };
  }
}
