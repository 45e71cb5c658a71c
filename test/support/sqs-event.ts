/** The SQS event builder is the local run's own (dev/lambda-runtime): the tests use the same one. */
export { sqsEventOf } from '../../dev/lambda-runtime/sqs-event.ts';
