import { TestBed } from '@angular/core/testing';
import { ConnectionStatus } from './connection-status';
import type { ConnectionState } from './live-stock';

describe('ConnectionStatus', () => {
  it('says each state in words, as a live region, and follows the state', async () => {
    const fixture = TestBed.createComponent(ConnectionStatus);
    const shown = async (state: ConnectionState) => {
      fixture.componentRef.setInput('state', state);
      await fixture.whenStable();
      const status = (fixture.nativeElement as HTMLElement).querySelector('[role=status]');
      return [status?.textContent?.trim(), status?.getAttribute('data-state')];
    };
    expect(await shown('connecting')).toEqual(['Connecting…', 'connecting']);
    expect(await shown('connected')).toEqual(['Live', 'connected']);
    expect(await shown('reconnecting')).toEqual(['Reconnecting…', 'reconnecting']);
    expect(await shown('signed-out')).toEqual(['Signed out', 'signed-out']);
  });
});
