import { acpxPromptInput, asMessageText } from './message-text';

describe('asMessageText', () => {
  it.each([
    ['/insights', ' /insights'],
    ['/model opus', ' /model opus'],
    ['//double', ' //double'],
    ['/', ' /'],
  ])('puts one space before a leading slash: %j', (text, message) => {
    expect(asMessageText(text)).toBe(message);
  });

  it.each(['hello', ' /already spaced', 'a /slash later', '\n/on the second line', '', '!bang', '#hash'])('leaves %j as it is', (text) => {
    expect(asMessageText(text)).toBe(text);
  });
});

describe('acpxPromptInput', () => {
  it.each(['plain words', '  padded  ', '[1, 2, 3]', '[{"type":"image","uri":"http://example.test/x.png"}]', 'line one\nline two', '/config set x'])(
    'is one ACP text block holding %j exactly (a leading slash spaced)',
    (text) => {
      const blocks = JSON.parse(acpxPromptInput(text)) as unknown[];
      expect(blocks).toEqual([{ type: 'text', text: asMessageText(text) }]);
    },
  );

  it('starts with "[" so acpx takes it as its structured form, whatever the text', () => {
    expect(acpxPromptInput('anything').startsWith('[')).toBe(true);
  });
});
