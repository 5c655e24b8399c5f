import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('starts over when a new key would pass the bound, and keeps updating a key it holds', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('b', 3);
    expect([...map.entries()]).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    map.set('c', 4);
    expect([...map.entries()]).toEqual([['c', 4]]);
  });
});
