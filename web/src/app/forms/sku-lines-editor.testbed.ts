import { TestBed } from '@angular/core/testing';
import type { DraftLine } from './quantity-lines';
import { SkuLinesEditor } from './sku-lines-editor';

describe('SkuLinesEditor', () => {
  const setUp = async (rows: DraftLine[], errors: Record<string, string> = {}) => {
    const fixture = TestBed.createComponent(SkuLinesEditor);
    fixture.componentRef.setInput('rows', rows);
    fixture.componentRef.setInput('errors', errors);
    fixture.componentRef.setInput('qtyLabel', 'Counted');
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;
    const field = (label: string) => root.querySelector<HTMLInputElement>(`[aria-label="${label}"]`);
    const rowsNow = () => fixture.componentInstance.rows();
    return { fixture, root, field, rowsNow };
  };

  it('keeps what is typed in its rows, adds a row and removes one', async () => {
    const { fixture, root, field, rowsNow } = await setUp([{ sku: '', qty: '' }]);
    const sku = field('Sku, line 1');
    if (!sku) throw new Error('no sku field');
    sku.value = 'HAM-1';
    sku.dispatchEvent(new Event('input'));
    const add = [...root.querySelectorAll('button')].find((b) => b.textContent?.includes('Add a line'));
    add?.click();
    await fixture.whenStable();
    expect(rowsNow()).toEqual([
      { sku: 'HAM-1', qty: '' },
      { sku: '', qty: '' },
    ]);
    expect(field('Counted, line 2')).not.toBeNull();
    root.querySelector<HTMLButtonElement>('[aria-label="Remove line 1"]')?.click();
    await fixture.whenStable();
    expect(rowsNow()).toEqual([{ sku: '', qty: '' }]);
    // The last row cannot be removed: there is always one to type into.
    expect(root.querySelector('[aria-label^="Remove line"]')).toBeNull();
  });

  it('shows each error beside its field and marks the field invalid', async () => {
    const { root, field } = await setUp(
      [
        { sku: 'A', qty: 'x' },
        { sku: '', qty: '1' },
      ],
      { 'lines.0.qty': 'Enter a whole number.', 'lines.1.sku': 'Enter a sku.' },
    );
    expect(field('Counted, line 1')?.getAttribute('aria-invalid')).toBe('true');
    expect(field('Sku, line 2')?.getAttribute('aria-invalid')).toBe('true');
    expect(field('Sku, line 1')?.getAttribute('aria-invalid')).toBeNull();
    const messages = [...root.querySelectorAll('.field-error')].map((p) => p.textContent?.trim());
    expect(messages).toEqual(['Enter a whole number.', 'Enter a sku.']);
  });
});
