import { TestBed } from '@angular/core/testing';
import { ApiSession } from '../api/api-session';
import { PART_LIMITS } from './csv-import';
import { ProductImport } from './product-import';

type Answer = (body: string) => Response;

/** A session whose client answers the import as the test says, keeping each part it was sent. */
function sessionAnswering(answer: Answer) {
  const sent: string[] = [];
  const client = {
    fetch: async (_path: string, init: RequestInit) => {
      sent.push(String(init.body));
      return answer(String(init.body));
    },
  };
  return { sent, session: { api: <T>(call: (c: typeof client) => Promise<T>) => call(client) } };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' },
  });

/** The API's answer for one part: every record whose sku starts with BAD refused at its line in the part. */
const refusingBad: Answer = (body) => {
  const lines = body.split('\n');
  const failed = lines.flatMap((text, i) =>
    text.startsWith('BAD') ? [{ line: i + 1, message: 'name: Required' }] : [],
  );
  const records = lines.slice(1).filter((l) => l.trim() !== '').length;
  return json({
    created: records - failed.length,
    updated: 0,
    unchanged: 0,
    failedCount: failed.length,
    failed,
  });
};

async function render(answer: Answer) {
  const { sent, session } = sessionAnswering(answer);
  TestBed.configureTestingModule({ providers: [{ provide: ApiSession, useValue: session }] });
  const fixture = TestBed.createComponent(ProductImport);
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const choose = (text: string) => {
    const input = element.querySelector('input[type=file]') as HTMLInputElement;
    Object.defineProperty(input, 'files', {
      value: [new File([text], 'products.csv', { type: 'text/csv' })],
    });
  };
  const submit = async () => {
    element.querySelector('form')?.dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    // Each part is one awaited request; stable once the last one is shown.
    for (let i = 0; i < 10 && element.querySelector('button[type=submit]')?.textContent !== 'Import'; i++)
      await fixture.whenStable();
    await fixture.whenStable();
  };
  return { element, sent, choose, submit };
}

describe('ProductImport', () => {
  it('sends a large file in parts and lists the refused lines by their number in the file', async () => {
    const rows = Array.from({ length: PART_LIMITS.records * 2 + 1 }, (_, i) =>
      i === 2 || i === PART_LIMITS.records + 4 ? `BAD-${i},,` : `OK-${i},Name ${i},`,
    );
    const { element, sent, choose, submit } = await render(refusingBad);
    choose(`sku,name,description\n${rows.join('\n')}\n`);
    await submit();
    expect(sent).toHaveLength(3);
    for (const part of sent) expect(part.startsWith('sku,name,description\n')).toBe(true);
    expect(element.querySelector('progress')?.getAttribute('aria-label')).toBe('Import progress');
    expect(element.textContent).toContain('1001 of 1001 lines imported');
    expect(element.textContent).toContain('Created 999, updated 0, unchanged 0.');
    const refused = [...element.querySelectorAll('[aria-label="Refused lines"] li')].map(
      (li) => li.textContent,
    );
    // Row i is on line i + 2 of the file (the header is line 1).
    expect(refused).toEqual(['Line 4: name: Required', `Line ${PART_LIMITS.records + 6}: name: Required`]);
  });

  it("shows the API's refusal of the whole file in words", async () => {
    const { element, choose, submit } = await render(() =>
      json(
        {
          type: 'https://varastokkr.dev/problems/validation',
          title: 'Validation failed',
          status: 422,
          errors: [{ path: 'header', message: 'The sku and name columns are required' }],
        },
        422,
      ),
    );
    choose('sku\nA\n');
    await submit();
    expect(element.querySelector('[role=alert]')?.textContent).toBe(
      'Header: The sku and name columns are required',
    );
  });

  it('asks for a file before sending anything', async () => {
    const { element, sent, submit } = await render(refusingBad);
    await submit();
    expect(sent).toEqual([]);
    expect(element.querySelector('[role=alert]')?.textContent).toBe('Choose a CSV file first.');
  });
});
