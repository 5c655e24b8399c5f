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
    ['résumé.pdf', 'résumé.pdf'],
    ['会議メモ.txt', '会議メモ.txt'],
    ['👨‍👩‍👧 family ❤️.png', '👨‍👩‍👧 family ❤️.png'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee', 'abcde'],
    ['\u2066a\u2067b\u2068c\u2069.txt', 'abc.txt'],
    ['\u200Bzero\u200Ewidth\u200F\u061C\uFEFF\u00AD.txt', 'zerowidth.txt'],
    ['tag\u{E0069}\u{E0067}smuggled.txt', 'tagsmuggled.txt'],
    ['c1\u0085\u009Bcontrols\u2028\u2029.txt', 'c1controls.txt'],
    ['\u202E\u2066', 'file'],
    ['😀'.repeat(250), '😀'.repeat(200)],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });
});
