import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_FILE_TTL_SECS = 3600;

/** The multipart form of POST /files. */
export class UploadFileDto {
  /** Read by multer into req.file; declared here for the OpenAPI form, and optional so validation lets it be. */
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file: an image (PNG, JPEG, GIF, WebP), a PDF, or UTF-8 text' })
  @IsOptional()
  file?: unknown;

  @ApiPropertyOptional({ description: 'Seconds until the file expires, 60..86400', default: DEFAULT_FILE_TTL_SECS, example: 3600 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'ttl_secs must be a whole number' })
  @Min(60, { message: 'ttl_secs must be at least 60' })
  @Max(86400, { message: 'ttl_secs must be at most 86400' })
  ttl_secs?: number;
}
