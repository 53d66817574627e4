import { TestBed } from '@angular/core/testing';
import { LineEditor } from './line-editor';

async function render(errors: Record<string, string> = {}) {
  const fixture = TestBed.createComponent(LineEditor);
  fixture.componentRef.setInput('errors', errors);
  await fixture.whenStable();
  return { fixture, root: fixture.nativeElement as HTMLElement };
}

const button = (root: HTMLElement, text: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement;

describe('LineEditor', () => {
  it('adds and removes rows, keeping what was typed in the others', async () => {
    const { fixture, root } = await render();
    const sku = root.querySelector('input[name=sku-0]') as HTMLInputElement;
    sku.value = 'TEE-M';
    sku.dispatchEvent(new Event('input'));
    button(root, 'Add line').click();
    await fixture.whenStable();
    expect(root.querySelectorAll('[role=group]').length).toBe(2);
    expect(fixture.componentInstance.lines()).toEqual([
      { sku: 'TEE-M', qty: '1', unitCost: '' },
      { sku: '', qty: '1', unitCost: '' },
    ]);
    (root.querySelector('button[aria-label="Remove line 1"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(fixture.componentInstance.lines()).toEqual([{ sku: '', qty: '1', unitCost: '' }]);
    // The last row cannot go: an order has at least one line.
    expect((root.querySelector('button[aria-label="Remove line 1"]') as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it("shows the API's message for a line's field beside that field", async () => {
    const { root } = await render({ 'lines.0.qty': 'Too small: expected number to be >=1' });
    const qty = root.querySelector('input[name=qty-0]') as HTMLInputElement;
    expect(qty.getAttribute('aria-invalid')).toBe('true');
    expect(qty.closest('label')?.querySelector('.field-error')?.textContent).toContain('Too small');
    expect(
      (root.querySelector('input[name=sku-0]') as HTMLInputElement).getAttribute('aria-invalid'),
    ).toBeNull();
  });
});
