import { sanitizeFileName } from './file-name';

describe('sanitizeFileName', () => {
  it.each([
    ['receipt.png', 'receipt.png'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\notes.txt', 'notes.txt'],
    ['evil\nname\r\u0000.txt', 'evilname.txt'],
    ['\u001b[31mred\u001b[0m.txt', '[31mred[0m.txt'],
    ['  spaced  ', 'spaced'],
    ['..', 'file'],
    ['.', 'file'],
    ['dir/', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['ü'.repeat(250), 'ü'.repeat(200)],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });
});
