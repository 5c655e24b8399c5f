// `await using session = …` compiled by TypeScript looks up Symbol.asyncDispose at run time, and
// Session defines its method under it. Node before 20.4 and some browsers lack it; Symbol.for gives
// every copy of this SDK (and any other library doing the same) one shared key.
if (typeof Symbol.asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('Symbol.asyncDispose') });
}

export {};
