import { TestBed } from '@angular/core/testing';
import { CountPanel } from './count-panel';
import type { Scan } from './scan-context';
import { ScanWrites } from './scan-writes';
import type { WriteCall } from './write-queue';

const hammer = { sku: 'HAM-16OZ', name: 'Hammer', barcode: '6414893012340' };

describe('CountPanel', () => {
  it('adds one per scan, takes a typed number, and submits the count through the write queue', async () => {
    const submitted: { call: WriteCall; summary: string }[] = [];
    TestBed.configureTestingModule({
      providers: [
        {
          provide: ScanWrites,
          useValue: { submit: async (call: WriteCall, summary: string) => submitted.push({ call, summary }) },
        },
      ],
    });
    const fixture = TestBed.createComponent(CountPanel);
    const element = fixture.nativeElement as HTMLElement;
    fixture.componentRef.setInput('warehouse', { id: 'w1', code: 'HEL', name: 'Helsinki' });
    const scan = async (seq: number) => {
      fixture.componentRef.setInput('scan', { seq, code: hammer.barcode, product: hammer } satisfies Scan);
      await fixture.whenStable();
    };
    await scan(1);
    await scan(2);
    const input = element.querySelector<HTMLInputElement>('input[aria-label="Counted HAM-16OZ"]');
    expect(input?.value).toBe('2');

    if (!input) throw new Error('no counted input');
    input.value = '7';
    input.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    const submit = [...element.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === 'Submit count',
    );
    submit?.click();
    await fixture.whenStable();

    expect(submitted).toEqual([
      {
        call: { kind: 'count', body: { warehouseId: 'w1', lines: [{ sku: 'HAM-16OZ', counted: 7 }] } },
        summary: 'Count of 1 product in HEL',
      },
    ]);
    expect(element.querySelector('table')).toBeNull(); // a new session starts empty
  });
});
