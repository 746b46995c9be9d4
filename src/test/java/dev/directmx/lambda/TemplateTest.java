package dev.directmx.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.directmx.delivery.RetryPolicy;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Checks {@code template.yaml} against the facts the code fixes: the handler, the environment
 * the function validates at start-up, the table's keys, the queue settings the retry schedule
 * depends on, and least-privilege IAM. The template is read as YAML with CloudFormation's
 * short-form tags ({@code !Ref X}) turned into their long form ({@code {"Ref": "X"}}).
 */
class TemplateTest {

    private static final String FUNCTION = "DeliveryFunction";

    /** The variables the function reads at start-up; any other DIRECTMX_ name is a typo. */
    private static final Set<String> KNOWN_VARIABLES = Set.copyOf(DirectmxConfig.VARIABLES);

    /** The variables without which the function refuses to start. */
    private static final Set<String> REQUIRED_VARIABLES = Set.copyOf(DirectmxConfig.REQUIRED);

    /** Variables for the runtime rather than for directmx, each with its reason in the template. */
    private static final Set<String> RUNTIME_VARIABLES =
            Set.of("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "JAVA_TOOL_OPTIONS");

    private static Map<String, Object> template;

    @BeforeAll
    static void loadTemplate() throws IOException {
        template = CloudFormationYaml.load(Path.of("template.yaml"));
    }

    @Test
    void handlerNamesARequestHandlerOfSqsEventsWithANoArgumentConstructor() throws Exception {
        String[] handler = string(function(), "Handler").split("::");
        assertThat(handler).containsExactly("dev.directmx.lambda.SqsDeliveryHandler", "handleRequest");

        // Loaded without initialising it: the test must not depend on the function's environment.
        Class<?> type = Class.forName(handler[0], false, TemplateTest.class.getClassLoader());
        assertThat(RequestHandler.class).isAssignableFrom(type);
        // The runtime instantiates the handler itself, through its public no-argument constructor.
        assertThat(type.getConstructor()).isNotNull();
        Method method = type.getMethod(handler[1], SQSEvent.class, Context.class);
        assertThat(method.getReturnType()).isEqualTo(SQSBatchResponse.class);
    }

    @Test
    void functionRunsTheShadedJarOnJava21() {
        Map<String, Object> function = function();
        assertThat(function).containsEntry("Runtime", "java21")
                .containsEntry("CodeUri", "target/directmx-lambda.jar")
                .containsEntry("MemorySize", ref("MemorySize"))
                .containsEntry("Timeout", ref("Timeout"))
                .containsEntry("Architectures", List.of(ref("Architecture")));
        assertThat(parameter("Architecture")).containsEntry("Default", "arm64")
                .containsEntry("AllowedValues", List.of("arm64", "x86_64"));
        assertThat(parameter("MemorySize")).containsEntry("Default", 1024);
    }

    @Test
    void snapStartAppliesToTheVersionsTheLiveAliasPublishes() {
        assertThat(function()).containsEntry("AutoPublishAlias", "live")
                .containsEntry("SnapStart", Map.of("ApplyOn", "PublishedVersions"));
    }

    @Test
    void environmentSetsOnlyKnownDirectmxVariablesAndEveryRequiredOne() {
        Map<String, Object> variables = environment();
        Set<String> directmx = variables.keySet().stream().filter(name -> name.startsWith("DIRECTMX_"))
                .collect(Collectors.toSet());

        assertThat(KNOWN_VARIABLES).containsAll(directmx);
        assertThat(directmx).containsAll(REQUIRED_VARIABLES)
                .contains("DIRECTMX_TABLE", "DIRECTMX_DEAD_LETTER_QUEUE_URL", "DIRECTMX_HELO");
        assertThat(RUNTIME_VARIABLES).containsAll(difference(variables.keySet(), directmx));
        // An empty value is not "unset": the SDK refuses an empty endpoint URL, and the
        // handler would validate an empty setting. Optional ones use !If ... AWS::NoValue.
        assertThat(variables.values()).doesNotContain("");
    }

    @Test
    void requiredVariablesComeFromTheStackAndTheHeloParameter() {
        assertThat(environment()).containsEntry("DIRECTMX_TABLE", ref("OutcomeTable"))
                .containsEntry("DIRECTMX_QUEUE_URL", ref("DeliveryQueue"))
                .containsEntry("DIRECTMX_DEAD_LETTER_QUEUE_URL", ref("DeadLetterQueue"))
                .containsEntry("DIRECTMX_HELO", ref("HeloName"))
                .containsEntry("DIRECTMX_DNS", Map.of("Fn::If",
                        List.of("HasDnsServers", ref("DnsServers"), ref("AWS::NoValue"))))
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        assertThat(parameter("HeloName")).doesNotContainKey("Default");
        assertThat(parameter("DnsServers")).containsEntry("Default", "");
    }

    @Test
    void localEnvironmentFileOverridesOnlyVariablesTheTemplateDeclares() throws IOException {
        // `sam local invoke --env-vars` silently ignores a variable the template does not declare.
        Map<String, Map<String, String>> file = new ObjectMapper().readValue(
                Path.of("infra/env.json").toFile(), new TypeReference<>() { });

        assertThat(file).containsOnlyKeys(FUNCTION);
        Map<String, String> local = file.get(FUNCTION);
        assertThat(environment().keySet()).containsAll(local.keySet());
        assertThat(local.keySet()).containsAll(REQUIRED_VARIABLES)
                .contains("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "DIRECTMX_DNS");
        assertThat(local).containsEntry("DIRECTMX_TABLE", "directmx-local")
                .containsEntry("DIRECTMX_ALLOW_PRIVATE", "true");
        for (String queue : List.of("DIRECTMX_QUEUE_URL", "DIRECTMX_DEAD_LETTER_QUEUE_URL")) {
            assertThat(local.get(queue)).as(queue).startsWith(local.get("AWS_ENDPOINT_URL_SQS") + "/");
        }
    }

    @Test
    void tableIsKeyedByPkAndSkAndExpiresItemsOnExpiresAt() {
        Map<String, Object> table = properties("OutcomeTable");
        assertThat(resource("OutcomeTable")).containsEntry("Type", "AWS::DynamoDB::Table");
        assertThat(table).containsEntry("BillingMode", "PAY_PER_REQUEST")
                .containsEntry("KeySchema", List.of(
                        Map.of("AttributeName", "pk", "KeyType", "HASH"),
                        Map.of("AttributeName", "sk", "KeyType", "RANGE")))
                .containsEntry("AttributeDefinitions", List.of(
                        Map.of("AttributeName", "pk", "AttributeType", "S"),
                        Map.of("AttributeName", "sk", "AttributeType", "S")))
                .containsEntry("TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true))
                .containsEntry("PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true));
    }

    @Test
    void redriveWaitsForEveryScheduledRetryBeforeTheDeadLetterQueue() {
        Map<String, Object> redrive = map(properties("DeliveryQueue").get("RedrivePolicy"));
        int maxReceiveCount = (Integer) redrive.get("maxReceiveCount");

        assertThat(redrive).containsEntry("deadLetterTargetArn", getAtt("DeadLetterQueue", "Arn"));
        assertThat(maxReceiveCount).isEqualTo(30)
                .isGreaterThan(RetryPolicy.defaults().maxDeliveries() + 5);
    }

    @Test
    void visibilityTimeoutIsAtLeastSixTimesAnyAcceptedFunctionTimeout() {
        int visibility = (Integer) properties("DeliveryQueue").get("VisibilityTimeout");
        Map<String, Object> timeout = parameter("Timeout");
        int defaultTimeout = (Integer) timeout.get("Default");
        int maxTimeout = (Integer) timeout.get("MaxValue");

        assertThat(defaultTimeout).isEqualTo(300);
        assertThat(visibility).isGreaterThanOrEqualTo(6 * defaultTimeout)
                .isGreaterThanOrEqualTo(6 * maxTimeout)
                .isLessThanOrEqualTo((int) RetryPolicy.SQS_MAX_DELAY.toSeconds());
        assertThat(maxTimeout).isLessThanOrEqualTo(900);
        // A timeout must fit one message's default deadline (60 s) and the time reserve (15 s).
        assertThat((Integer) timeout.get("MinValue")).isGreaterThanOrEqualTo(60 + 15);
    }

    @Test
    void queuesKeepMessagesForFourteenDaysLongerThanTheMaximumAge() {
        for (String queue : List.of("DeliveryQueue", "DeadLetterQueue")) {
            Duration retention = Duration.ofSeconds((Integer) properties(queue).get("MessageRetentionPeriod"));
            assertThat(retention).as(queue).isEqualTo(Duration.ofDays(14))
                    .isGreaterThan(RetryPolicy.defaults().maxAge());
        }
    }

    @Test
    void roleGrantsExactlyTheActionsTheFunctionUsesEachOnItsOwnResource() {
        Map<Object, Set<String>> actionsByResource = new HashMap<>();
        for (Statement statement : statements()) {
            assertThat(statement.body()).containsEntry("Effect", "Allow").doesNotContainKey("NotAction")
                    .doesNotContainKey("NotResource");
            for (Object resource : asList(statement.body().get("Resource"))) {
                assertThat(resource).isInstanceOf(Map.class);
                for (Object action : asList(statement.body().get("Action"))) {
                    actionsByResource.computeIfAbsent(resource, key -> new LinkedHashSet<>()).add((String) action);
                }
            }
        }

        assertThat(actionsByResource).containsOnly(
                Map.entry(getAtt("OutcomeTable", "Arn"), Set.of(
                        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query")),
                Map.entry(getAtt("DeliveryQueue", "Arn"), Set.of(
                        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility")),
                Map.entry(getAtt("DeadLetterQueue", "Arn"), Set.of("sqs:SendMessage")),
                Map.entry(getAtt("DeliveryLogGroup", "Arn"), Set.of("logs:CreateLogStream", "logs:PutLogEvents")),
                Map.entry(ref("DkimSecretArns"), Set.of("secretsmanager:GetSecretValue")),
                Map.entry(Map.of("Fn::Sub",
                        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${DkimParameterPath}/*"),
                        Set.of("ssm:GetParameter")),
                Map.entry(ref("DkimKmsKeyArn"), Set.of("kms:Decrypt")));
        assertThat(actionsByResource.values()).flatMap(actions -> actions).noneMatch(action -> action.contains("*"));
    }

    @Test
    void dkimVariablesComeFromTheirParametersAndAreAbsentWhenEmpty() {
        assertThat(environment())
                .containsEntry(DirectmxConfig.DKIM_KEYS, Map.of("Fn::If",
                        List.of("HasDkimKeys", ref("DkimKeys"), ref("AWS::NoValue"))))
                .containsEntry(DirectmxConfig.DKIM_CANONICALIZATION, ref("DkimCanonicalization"))
                .containsEntry(DirectmxConfig.DKIM_EXPIRY, Map.of("Fn::If",
                        List.of("HasDkimExpiry", ref("DkimExpiry"), ref("AWS::NoValue"))));
        assertThat(condition("HasDkimKeys")).isEqualTo(notEmpty(ref("DkimKeys")));
        assertThat(condition("HasDkimExpiry")).isEqualTo(notEmpty(ref("DkimExpiry")));
        assertThat(parameter("DkimKeys")).containsEntry("Default", "");
        assertThat(parameter("DkimExpiry")).containsEntry("Default", "");
        assertThat(parameter("DkimCanonicalization")).containsEntry("Default", "relaxed/relaxed");
        assertThat(parameter("DkimCanonicalization").get("AllowedValues")).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactlyInAnyOrder(
                "relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple");
    }

    @Test
    void eachDkimStatementGrantsOneActionOnlyWhenItsParameterIsGiven() {
        Map<String, String> actionByParameter = new HashMap<>();
        for (Statement statement : statements()) {
            Set<String> parameters = parametersIn(statement.body().get("Resource"));
            if (statement.condition() == null) {
                assertThat(parameters).as("an unconditional statement takes no resource from a parameter").isEmpty();
                continue;
            }
            assertThat(parameters).as(statement.condition()).hasSize(1);
            String parameter = parameters.iterator().next();
            // The condition tests exactly the parameter the resource comes from, for being non-empty.
            assertThat(refsIn(condition(statement.condition()))).as(statement.condition()).containsExactly(parameter);
            assertThat(parameter(parameter)).containsEntry("Default", "");
            assertThat(asList(statement.body().get("Resource"))).allSatisfy(resource -> assertThat(resource)
                    .as("a named resource, not *").isInstanceOf(Map.class));
            List<?> actions = asList(statement.body().get("Action"));
            assertThat(actions).as(statement.condition()).hasSize(1);
            actionByParameter.put(parameter, (String) actions.get(0));
        }

        assertThat(actionByParameter).containsOnly(
                Map.entry("DkimSecretArns", "secretsmanager:GetSecretValue"),
                Map.entry("DkimParameterPath", "ssm:GetParameter"),
                Map.entry("DkimKmsKeyArn", "kms:Decrypt"));
        assertThat(condition("HasDkimSecretArns"))
                .isEqualTo(notEmpty(Map.of("Fn::Join", List.of("", ref("DkimSecretArns")))));
    }

    @Test
    void dkimKeyDecryptionIsOnlyThroughSecretsManagerOrSsm() {
        Statement decrypt = statements().stream().filter(s -> "HasDkimKmsKey".equals(s.condition())).findFirst()
                .orElseThrow();

        assertThat(decrypt.body()).containsEntry("Condition", Map.of("StringEquals", Map.of("kms:ViaService", List.of(
                Map.of("Fn::Sub", "secretsmanager.${AWS::Region}.${AWS::URLSuffix}"),
                Map.of("Fn::Sub", "ssm.${AWS::Region}.${AWS::URLSuffix}")))));
    }

    @Test
    void dkimAccessParametersRefuseWildcards() {
        Pattern secrets = allowedPattern("DkimSecretArns");
        Pattern path = allowedPattern("DkimParameterPath");
        Pattern kmsKey = allowedPattern("DkimKmsKeyArn");

        assertThat(secrets.matcher("").matches()).isTrue();
        assertThat(secrets.matcher("arn:aws:secretsmanager:eu-west-1:123456789012:secret:dkim/rsa-AbCdEf").matches())
                .isTrue();
        assertThat(secrets.matcher("arn:aws:secretsmanager:eu-west-1:123456789012:secret:dkim/rsa-??????").matches())
                .isTrue();
        for (String wildcard : List.of("*", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dkim/*")) {
            assertThat(secrets.matcher(wildcard).matches()).as(wildcard).isFalse();
        }
        assertThat(path.matcher("").matches()).isTrue();
        assertThat(path.matcher("/directmx/dkim").matches()).isTrue();
        for (String wide : List.of("/", "/*", "/directmx/", "directmx/dkim", "/directmx/*")) {
            assertThat(path.matcher(wide).matches()).as(wide).isFalse();
        }
        assertThat(kmsKey.matcher("").matches()).isTrue();
        assertThat(kmsKey.matcher("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .matches()).isTrue();
        for (String wide : List.of("*", "arn:aws:kms:eu-west-1:123456789012:key/*",
                "arn:aws:kms:eu-west-1:123456789012:alias/dkim")) {
            assertThat(kmsKey.matcher(wide).matches()).as(wide).isFalse();
        }
    }

    @Test
    void functionUsesTheExplicitRoleAndGetsVpcAccessOnlyInAVpc() {
        // With SAM's generated role an SQS event would add a managed policy on "Resource": "*".
        assertThat(function()).containsEntry("Role", getAtt("DeliveryRole", "Arn"))
                .doesNotContainKey("Policies");
        assertThat(properties("DeliveryRole").get("ManagedPolicyArns")).isEqualTo(Map.of("Fn::If", List.of(
                "HasVpc",
                List.of(Map.of("Fn::Sub",
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")),
                ref("AWS::NoValue"))));
    }

    @Test
    void vpcConfigIsAttachedOnlyWhenSubnetsAndSecurityGroupsAreBothGiven() {
        assertThat(function().get("VpcConfig")).isEqualTo(Map.of("Fn::If", List.of(
                "HasVpc",
                Map.of("SubnetIds", ref("SubnetIds"), "SecurityGroupIds", ref("SecurityGroupIds")),
                ref("AWS::NoValue"))));
        Object hasVpc = map(template.get("Conditions")).get("HasVpc");
        assertThat(map(hasVpc)).containsOnlyKeys("Fn::And");
        assertThat(refsIn(hasVpc)).containsExactlyInAnyOrder("SubnetIds", "SecurityGroupIds");
        for (String name : List.of("SubnetIds", "SecurityGroupIds")) {
            assertThat(parameter(name)).containsEntry("Type", "CommaDelimitedList").containsEntry("Default", "");
        }
    }

    @Test
    void queueEventReportsBatchItemFailuresWithBoundedConcurrency() {
        Map<String, Object> event = map(map(function().get("Events")).get("Queue"));
        assertThat(event).containsEntry("Type", "SQS");
        assertThat(map(event.get("Properties")))
                .containsEntry("Queue", getAtt("DeliveryQueue", "Arn"))
                .containsEntry("BatchSize", ref("BatchSize"))
                .containsEntry("MaximumBatchingWindowInSeconds", ref("MaximumBatchingWindowInSeconds"))
                .containsEntry("FunctionResponseTypes", List.of("ReportBatchItemFailures"))
                .containsEntry("ScalingConfig", Map.of("MaximumConcurrency", ref("MaximumConcurrency")));
        assertThat(parameter("BatchSize")).containsEntry("Default", 10);
        assertThat(parameter("MaximumBatchingWindowInSeconds")).containsEntry("Default", 5);
        assertThat(parameter("MaximumConcurrency")).containsEntry("Default", 5).containsEntry("MinValue", 2);
    }

    @Test
    void deadLetterMessagesAndFunctionErrorsRaiseAlarms() {
        List<Map<String, Object>> alarms = resourcesOfType("AWS::CloudWatch::Alarm");
        Object topicOrNothing = Map.of("Fn::If",
                List.of("HasAlarmTopic", List.of(ref("AlarmTopicArn")), ref("AWS::NoValue")));

        assertThat(alarms).anySatisfy(alarm -> assertThat(alarm)
                .containsEntry("Namespace", "AWS/SQS")
                .containsEntry("MetricName", "ApproximateNumberOfMessagesVisible")
                .containsEntry("Dimensions", List.of(Map.of(
                        "Name", "QueueName", "Value", getAtt("DeadLetterQueue", "QueueName"))))
                .containsEntry("Threshold", 0)
                .containsEntry("ComparisonOperator", "GreaterThanThreshold")
                .containsEntry("AlarmActions", topicOrNothing));
        assertThat(alarms).anySatisfy(alarm -> assertThat(alarm)
                .containsEntry("Namespace", "AWS/Lambda")
                .containsEntry("MetricName", "Errors")
                .containsEntry("Dimensions", List.of(Map.of("Name", "FunctionName", "Value", ref(FUNCTION))))
                .containsEntry("Threshold", 0)
                .containsEntry("AlarmActions", topicOrNothing));
        assertThat(parameter("AlarmTopicArn")).containsEntry("Default", "");
    }

    @Test
    void outputsNameTheQueuesTheTableAndTheFunction() {
        Map<String, Object> outputs = map(template.get("Outputs"));
        Map<String, Object> values = new HashMap<>();
        outputs.forEach((name, output) -> values.put(name, map(output).get("Value")));

        assertThat(values).containsEntry("QueueUrl", ref("DeliveryQueue"))
                .containsEntry("QueueArn", getAtt("DeliveryQueue", "Arn"))
                .containsEntry("DeadLetterQueueUrl", ref("DeadLetterQueue"))
                .containsEntry("TableName", ref("OutcomeTable"))
                .containsEntry("FunctionArn", getAtt(FUNCTION, "Arn"));
    }

    @Test
    void shortFormTagsParseToTheirLongForm() {
        Map<String, Object> parsed = CloudFormationYaml.parse("""
                a: !Ref X
                b: !GetAtt Y.Arn
                c: !Sub '${AWS::Region}'
                d: !If [C, !Join ['', !Ref L], !Select [0, !Split [',', 'p,q']]]
                e: !And [!Not [!Equals [1, 2]], !Condition C]
                """);
        assertThat(parsed).containsEntry("a", ref("X"))
                .containsEntry("b", getAtt("Y", "Arn"))
                .containsEntry("c", Map.of("Fn::Sub", "${AWS::Region}"))
                .containsEntry("d", Map.of("Fn::If", List.of("C",
                        Map.of("Fn::Join", List.of("", ref("L"))),
                        Map.of("Fn::Select", List.of(0, Map.of("Fn::Split", List.of(",", "p,q")))))))
                .containsEntry("e", Map.of("Fn::And", List.of(
                        Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(1, 2)))),
                        Map.of("Condition", "C"))));
    }

    // ---- reading the template

    private static Map<String, Object> resource(String logicalId) {
        Map<String, Object> resources = map(template.get("Resources"));
        assertThat(resources).containsKey(logicalId);
        return map(resources.get(logicalId));
    }

    private static Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId).get("Properties"));
    }

    private static Map<String, Object> function() {
        assertThat(resource(FUNCTION)).containsEntry("Type", "AWS::Serverless::Function");
        return properties(FUNCTION);
    }

    private static Map<String, Object> environment() {
        return map(map(function().get("Environment")).get("Variables"));
    }

    private static Map<String, Object> parameter(String name) {
        Map<String, Object> parameters = map(template.get("Parameters"));
        assertThat(parameters).containsKey(name);
        return map(parameters.get(name));
    }

    /** A statement of the role's policies, and the condition it depends on (null for none). */
    private record Statement(String condition, Map<String, Object> body) { }

    /**
     * The role's statements, each either a statement or {@code !If [CONDITION, STATEMENT,
     * !Ref AWS::NoValue]}: a condition decides whether the statement exists, never which one.
     */
    private static List<Statement> statements() {
        List<Statement> statements = new ArrayList<>();
        for (Object policy : list(properties("DeliveryRole").get("Policies"))) {
            for (Object item : list(map(map(policy).get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> node = map(item);
                if (node.containsKey("Fn::If")) {
                    List<?> branches = list(node.get("Fn::If"));
                    assertThat(branches).hasSize(3);
                    assertThat(branches.get(2)).isEqualTo(ref("AWS::NoValue"));
                    statements.add(new Statement((String) branches.get(0), map(branches.get(1))));
                } else {
                    statements.add(new Statement(null, node));
                }
            }
        }
        return statements;
    }

    private static Object condition(String name) {
        Map<String, Object> conditions = map(template.get("Conditions"));
        assertThat(conditions).containsKey(name);
        return conditions.get(name);
    }

    private static Map<String, Object> notEmpty(Object value) {
        return Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(value, ""))));
    }

    private static Pattern allowedPattern(String parameter) {
        return Pattern.compile(string(parameter(parameter), "AllowedPattern"));
    }

    /** The template parameters a node uses, through {@code Ref} or {@code ${Name}} in a {@code Sub}. */
    private static Set<String> parametersIn(Object node) {
        Set<String> names = new LinkedHashSet<>(refsIn(node));
        Matcher variable = Pattern.compile("\\$\\{([^}]+)}").matcher(subStrings(node));
        while (variable.find()) {
            names.add(variable.group(1));
        }
        // Pseudo parameters (AWS::Region) and resources' attributes (X.Arn) are not parameters.
        names.removeIf(name -> name.contains("::") || name.contains("."));
        return names;
    }

    private static String subStrings(Object node) {
        StringBuilder text = new StringBuilder();
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> text.append("Fn::Sub".equals(key) && value instanceof String sub ? sub
                    : subStrings(value)));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> text.append(subStrings(item)));
        }
        return text.toString();
    }

    private static List<Map<String, Object>> resourcesOfType(String type) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Object resource : map(template.get("Resources")).values()) {
            if (type.equals(map(resource).get("Type"))) {
                found.add(map(map(resource).get("Properties")));
            }
        }
        return found;
    }

    private static String string(Map<String, Object> map, String key) {
        assertThat(map.get(key)).as(key).isInstanceOf(String.class);
        return (String) map.get(key);
    }

    private static Set<String> refsIn(Object node) {
        Set<String> refs = new LinkedHashSet<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("Ref".equals(key)) {
                    refs.add((String) value);
                } else {
                    refs.addAll(refsIn(value));
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> refs.addAll(refsIn(item)));
        }
        return refs;
    }

    private static Set<String> difference(Set<String> all, Set<String> remove) {
        Set<String> rest = new LinkedHashSet<>(all);
        rest.removeAll(remove);
        return rest;
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    private static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    private static List<?> list(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return (List<?>) node;
    }

    private static List<?> asList(Object node) {
        return node instanceof List<?> list ? list : List.of(node);
    }

    /**
     * SnakeYAML with CloudFormation's short-form tags: each becomes the one-key map of its long
     * form, so {@code !GetAtt Queue.Arn} reads as {@code {"Fn::GetAtt": ["Queue", "Arn"]}}.
     */
    static final class CloudFormationYaml extends SafeConstructor {

        private static final List<String> FUNCTIONS = List.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
                "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or");

        private CloudFormationYaml(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            for (String function : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + function), new Intrinsic("Fn::" + function));
            }
        }

        static Map<String, Object> load(Path path) throws IOException {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return yaml().load(reader);
            }
        }

        static Map<String, Object> parse(String text) {
            return yaml().load(text);
        }

        private static Yaml yaml() {
            return new Yaml(new CloudFormationYaml(new LoaderOptions()));
        }

        private final class Intrinsic extends AbstractConstruct {

            private final String name;

            Intrinsic(String name) {
                this.name = name;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    String text = constructScalar(scalar);
                    // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
                    value = name.equals("Fn::GetAtt") ? List.of(text.split("\\.", 2)) : text;
                } else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                return Map.of(name, value);
            }
        }
    }
}
