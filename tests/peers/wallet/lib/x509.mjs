// @peculiar/x509 on Node's WebCrypto. Its dependency injection (tsyringe) needs the Reflect
// metadata polyfill loaded before it; every module of the wallet takes x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
