import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_ERROR_CODES, ErrorCode } from './error-codes';

export class ErrorDetailDto {
  @ApiProperty({ description: 'Stable snake_case code to branch on', enum: [...CLIENT_ERROR_CODES], example: 'invalid_request' })
  code: ErrorCode;

  @ApiProperty({ description: 'For a human; may change between versions', example: 'name must match ^[a-z0-9][a-z0-9_-]{0,63}$' })
  message: string;

  @ApiPropertyOptional({ description: 'The offending request field, for validation errors', example: 'name' })
  field?: string;
}

/** The shape of every error response. */
export class ErrorBodyDto {
  @ApiProperty({ type: Boolean, enum: [false], example: false })
  ok: false;

  @ApiProperty({ type: ErrorDetailDto })
  error: ErrorDetailDto;
}
