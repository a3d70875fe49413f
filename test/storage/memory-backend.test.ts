import { suite } from 'uvu';
import { createMemoryBackend } from '../../src/storage/index.ts';
import { backendContract } from './backend-contract.ts';

const Memory = suite('storage/memory-backend');
backendContract(Memory, () => {
  const backend = createMemoryBackend();
  return { backend, reopen: () => backend };
});
Memory.run();
