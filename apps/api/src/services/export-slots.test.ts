import { describe, expect, it } from 'vitest';
import { createExportSlots } from './audit-export.js';

// Attack: one person (or a script with their session) opening many exports that never read.
describe('createExportSlots', () => {
  it('gives one person at most perUser slots and the instance at most perInstance', () => {
    const slots = createExportSlots({ perUser: 2, perInstance: 3 });
    const a1 = slots.tryAcquire('a');
    const a2 = slots.tryAcquire('a');
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(slots.tryAcquire('a')).toBeNull();
    const b1 = slots.tryAcquire('b');
    expect(b1).not.toBeNull();
    expect(slots.tryAcquire('c')).toBeNull(); // the instance is full
    expect(slots.running()).toBe(3);
    a1!();
    expect(slots.tryAcquire('c')).not.toBeNull();
  });

  it('releases a slot once, however often release is called', () => {
    const slots = createExportSlots({ perUser: 1, perInstance: 5 });
    const r = slots.tryAcquire('a')!;
    const other = slots.tryAcquire('b')!;
    r();
    r();
    expect(slots.running()).toBe(1);
    expect(slots.tryAcquire('a')).not.toBeNull();
    expect(slots.tryAcquire('a')).toBeNull();
    other();
  });
});
