import { h } from './dom';

/** Puts `text` on the clipboard: the Clipboard API where the page may use it (https, localhost), else the copy command. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = h('textarea', { readonly: true, 'aria-hidden': 'true', class: 'offscreen' }, text);
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('the browser refused to copy');
}

/** A button copying `text`, saying in a live region whether it did. */
export function copyButton(text: string, label: string): HTMLElement {
  const status = h('span', { class: 'hint', role: 'status' });
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', () => {
    copyText(text).then(
      () => (status.textContent = ' Copied.'),
      (error: unknown) => (status.textContent = ` Not copied: ${error instanceof Error ? error.message : String(error)}; select it and copy by hand.`),
    );
  });
  return h('span', null, button, status);
}
