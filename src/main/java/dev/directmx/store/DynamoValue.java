package dev.directmx.store;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One DynamoDB attribute value in its wire form ({@code {"S": "..."}}, {@code {"N": "12"}},
 * {@code {"BOOL": true}}, {@code {"NULL": true}}, {@code {"L": [...]}}, {@code {"M": {...}}}):
 * the types the outcome store writes and reads. The accessors mirror the SDK's
 * {@code AttributeValue}: each returns null when the value is of another type.
 */
sealed interface DynamoValue {

    /** The type's name on the wire: {@code S}, {@code N}, {@code BOOL}, {@code NULL}, {@code L} or {@code M}. */
    String wireType();

    default String s() {
        return this instanceof Str str ? str.value() : null;
    }

    /** The number as DynamoDB carries it: decimal text, exact. */
    default String n() {
        return this instanceof Num num ? num.value() : null;
    }

    default Boolean bool() {
        return this instanceof Bool b ? b.value() : null;
    }

    default List<DynamoValue> l() {
        return this instanceof ListValue list ? list.values() : null;
    }

    default Map<String, DynamoValue> m() {
        return this instanceof MapValue map ? map.values() : null;
    }

    static DynamoValue fromS(String value) {
        return new Str(value);
    }

    static DynamoValue fromN(String value) {
        return new Num(value);
    }

    static DynamoValue fromBool(boolean value) {
        return new Bool(value);
    }

    static DynamoValue fromL(List<DynamoValue> values) {
        return new ListValue(values);
    }

    static DynamoValue fromM(Map<String, DynamoValue> values) {
        return new MapValue(values);
    }

    record Str(String value) implements DynamoValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String wireType() {
            return "S";
        }
    }

    record Num(String value) implements DynamoValue {
        public Num {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String wireType() {
            return "N";
        }
    }

    record Bool(boolean value) implements DynamoValue {
        @Override
        public String wireType() {
            return "BOOL";
        }
    }

    /** {@code {"NULL": true}}; the store never writes it (absent fields are left out) but may read it. */
    record Null() implements DynamoValue {
        @Override
        public String wireType() {
            return "NULL";
        }
    }

    record ListValue(List<DynamoValue> values) implements DynamoValue {
        public ListValue {
            values = List.copyOf(values);
        }

        @Override
        public String wireType() {
            return "L";
        }
    }

    record MapValue(Map<String, DynamoValue> values) implements DynamoValue {
        public MapValue {
            values = Map.copyOf(values);
        }

        @Override
        public String wireType() {
            return "M";
        }
    }
}
