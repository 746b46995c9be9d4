/**
 * A scriptable receiving SMTP server, the "MockWebServer for SMTP": {@link
 * dev.directmx.sandbox.smtp.ScriptedSmtpServer} plays a recipient's MX on a loopback address for
 * fault-injection tests of the SMTP client and delivery engine, and for the offline {@code demo}.
 * Canned replies per {@link dev.directmx.sandbox.smtp.SmtpStage} and per recipient cover what SMTP
 * can say; {@link dev.directmx.sandbox.smtp.SocketPolicy} covers what it cannot (silence, broken
 * TLS handshakes, dropped connections). {@link dev.directmx.sandbox.smtp.SandboxTls} holds the
 * sandbox's public, test-only TLS identity.
 */
package dev.directmx.sandbox.smtp;
