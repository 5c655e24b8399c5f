import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { StoredFile } from './stored-file.entity';
import { UploadAdmission } from './upload-admission';
import { UploadInterceptor } from './upload.interceptor';

@Module({
  imports: [TypeOrmModule.forFeature([StoredFile])],
  providers: [FilesService, UploadAdmission, UploadInterceptor],
  controllers: [FilesController],
  exports: [FilesService],
})
export class FilesModule {}
