import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

/** The `stream` switch of routes that can answer as Server-Sent Events. */
export class StreamableRequestDto {
  @ApiPropertyOptional({ description: 'Answer as Server-Sent Events (same as sending Accept: text/event-stream)', default: false, example: false })
  @IsOptional()
  @IsBoolean({ message: 'stream must be true or false' })
  stream?: boolean;
}
