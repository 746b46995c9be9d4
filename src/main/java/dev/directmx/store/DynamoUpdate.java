package dev.directmx.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one conditional {@code UpdateItem}: its update expression, its condition and the
 * placeholder maps that go with them. DynamoDB refuses a request that declares a placeholder it
 * does not use, so placeholders are declared only as the expressions name them. Attribute names
 * always go through {@code #} placeholders because some of ours ({@code status}) are reserved
 * words. One instance per request.
 */
final class DynamoUpdate {

    private final List<String> sets = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final List<String> conditions = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, DynamoValue> values = new HashMap<>();

    /** {@code SET attribute = value}. */
    DynamoUpdate set(String attribute, DynamoValue value) {
        sets.add(name(attribute) + " = " + value(attribute, value));
        return this;
    }

    /** {@code ADD attribute value}: an atomic increment of a number. */
    DynamoUpdate add(String attribute, DynamoValue value) {
        adds.add(name(attribute) + " " + value(attribute, value));
        return this;
    }

    /** {@code REMOVE attribute}. */
    DynamoUpdate remove(String attribute) {
        removes.add(name(attribute));
        return this;
    }

    /** One more condition, joined to the others with {@code AND}; build it with {@link #name} and {@link #value}. */
    DynamoUpdate condition(String expression) {
        conditions.add("(" + expression + ")");
        return this;
    }

    /** The placeholder for an attribute name, declared. */
    String name(String attribute) {
        names.put("#" + attribute, attribute);
        return "#" + attribute;
    }

    /** The placeholder {@code :label} for a value, declared. */
    String value(String label, DynamoValue value) {
        values.put(":" + label, value);
        return ":" + label;
    }

    /** The update expression: its {@code SET}, {@code ADD} and {@code REMOVE} clauses. */
    String expression() {
        StringBuilder expression = new StringBuilder();
        clause(expression, "SET ", sets);
        clause(expression, "ADD ", adds);
        clause(expression, "REMOVE ", removes);
        return expression.toString().trim();
    }

    /** The conditions joined with {@code AND} (empty when there are none), with every placeholder the update and the conditions use. */
    DynamoApi.Expression placeholders() {
        return new DynamoApi.Expression(String.join(" AND ", conditions), names, values);
    }

    private static void clause(StringBuilder expression, String keyword, List<String> actions) {
        if (!actions.isEmpty()) {
            expression.append(keyword).append(String.join(", ", actions)).append(' ');
        }
    }
}
