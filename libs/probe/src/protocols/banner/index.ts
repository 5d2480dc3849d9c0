export * from './banner-query.js';
export * from './framing.js';
export * from './printable.js';
export * from './tcp-conversation.js';
