import { Module } from '@nestjs/common';
import { RunModule } from '@clawdforge/run';
import { MessagesController } from './anthropic/messages.controller';
import { WireRuns } from './compat-tool-run';
import { ModelsController } from './models.controller';
import { ChatCompletionsController } from './openai/chat-completions.controller';

/** OpenAI's and Anthropic's wire formats over the run path: translation only; policy, queueing, ledger and audit are the run's. */
@Module({
  imports: [RunModule],
  controllers: [ChatCompletionsController, MessagesController, ModelsController],
  providers: [WireRuns],
})
export class CompatModule {}
