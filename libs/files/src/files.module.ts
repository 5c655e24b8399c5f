import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { FileStore } from './file-store';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';
import { UploadAdmission } from './upload-admission';
import { UploadInterceptor } from './upload.interceptor';

@Module({
  imports: [TypeOrmModule.forFeature([StoredFile]), IdempotencyModule],
  providers: [StoredFileRepository, FileStore, FilesService, UploadAdmission, UploadInterceptor],
  controllers: [FilesController],
  exports: [FilesService],
})
export class FilesModule {}
