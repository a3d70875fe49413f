import { createReferenceHistogram, deserializeReferenceHistogram } from '../../src/index.ts';
import { runHistogramContract } from './histogram.case.ts';

runHistogramContract({ name: 'reference', create: createReferenceHistogram, deserialize: deserializeReferenceHistogram });
