/**
 * An in-JVM SQS for tests, the offline demo and a local {@code worker}.
 *
 * <p>{@link dev.directmx.sandbox.sqs.EmbeddedSqs} runs ElasticMQ, a real implementation of the SQS
 * API, on a loopback port, with the same queue pair as {@code template.yaml} (a main queue whose
 * redrive policy ends in a dead-letter queue). The product reaches it through the AWS SDK exactly
 * as it reaches AWS, by endpoint ({@code AWS_ENDPOINT_URL_SQS}); nothing in {@code dev.directmx.lambda}
 * knows it exists. It is local-only: the Lambda artifact leaves ElasticMQ out.
 */
package dev.directmx.sandbox.sqs;
