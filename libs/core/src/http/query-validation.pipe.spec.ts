import { ArgumentMetadata } from '@nestjs/common';
import { validationExceptionFactory } from '../errors/validation-exception.factory';
import { InvalidRequestError } from '../errors/http-errors';
import { PageQueryDto } from './pagination';
import { QueryValidationPipe } from './query-validation.pipe';

describe('QueryValidationPipe', () => {
  const pipe = () =>
    new QueryValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true, exceptionFactory: validationExceptionFactory });
  const query: ArgumentMetadata = { type: 'query', metatype: PageQueryDto };
  /** What Express's query parser hands over: an object without a prototype. */
  const parsed = (values: Record<string, string>) => Object.assign(Object.create(null) as object, values);

  it('answers a query it has seen with what validation gave, as a fresh instance each time', async () => {
    const p = pipe();
    const first = (await p.transform(parsed({ limit: '5' }), query)) as PageQueryDto;
    first.limit = 999;
    const second = (await p.transform(parsed({ limit: '5' }), query)) as PageQueryDto;
    expect(second).toBeInstanceOf(PageQueryDto);
    expect(second).not.toBe(first);
    expect(second).toEqual(Object.assign(new PageQueryDto(), { limit: 5 }));
    expect(await p.transform(parsed({}), query)).toEqual(new PageQueryDto());
    expect(await p.transform(parsed({}), query)).toEqual(new PageQueryDto());
  });

  it('refuses a bad query every time it comes', async () => {
    const p = pipe();
    for (let i = 0; i < 3; i++) {
      await expect(p.transform(parsed({ limit: '0' }), query)).rejects.toThrow(InvalidRequestError);
      await expect(p.transform(parsed({ limit: '5', extra: 'x' }), query)).rejects.toThrow('property extra should not exist');
    }
    expect(await p.transform(parsed({ limit: '7' }), query)).toEqual(Object.assign(new PageQueryDto(), { limit: 7 }));
  });

  it('validates bodies in full every time', async () => {
    const p = pipe();
    const body: ArgumentMetadata = { type: 'body', metatype: PageQueryDto };
    expect(await p.transform({ limit: 3 }, body)).toEqual(Object.assign(new PageQueryDto(), { limit: 3 }));
    await expect(p.transform({ limit: 3, extra: true }, body)).rejects.toThrow('property extra should not exist');
  });
});
