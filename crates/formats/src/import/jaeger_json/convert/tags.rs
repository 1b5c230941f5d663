//! Jaeger tags into attributes: the declared type (a name in query JSON, a number in protojson)
//! or else the JSON type decides the value; a value that does not fit its type is kept as empty
//! with a problem.

use super::Converter;
use crate::import::jaeger_json::model::Tag;
use crate::import::json_scalar::Scalar;
use crate::import::text::decode_base64;
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::WarningKind;

/// A tag's declared (or implied) type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagType {
    Bool,
    Int64,
    Float64,
    Binary,
    /// `string`, an unknown name, or nothing declared: the value is taken as its JSON type.
    Other,
}

impl TagType {
    fn name(self) -> &'static str {
        match self {
            TagType::Bool => "bool",
            TagType::Int64 => "int64",
            TagType::Float64 => "float64",
            TagType::Binary => "binary",
            TagType::Other => "string",
        }
    }
}

impl Converter<'_> {
    /// Converts one tag into `out`; a tag without a string key is skipped with a problem.
    pub fn tag(&mut self, tag: &Tag<'_>, field: &str, out: &mut Vec<Attribute>) {
        let Some(key) = tag.key.as_ref().and_then(Scalar::as_str) else {
            self.problem(WarningKind::InvalidValue, format!("{field}: a tag without a string key was skipped"));
            return;
        };
        let key = self.builder.intern(key);
        let value = self.tag_value(tag, field);
        out.push(Attribute { key, value });
    }

    fn tag_value(&mut self, tag: &Tag<'_>, field: &str) -> AnyValue {
        let declared = match tag.ty.as_ref() {
            Some(Scalar::Str(t)) if t.is_empty() => None,
            Some(Scalar::Str(t)) => Some(
                [
                    ("bool", TagType::Bool),
                    ("int64", TagType::Int64),
                    ("float64", TagType::Float64),
                    ("binary", TagType::Binary),
                ]
                .into_iter()
                .find(|(name, _)| t.eq_ignore_ascii_case(name))
                .map_or(TagType::Other, |(_, ty)| ty),
            ),
            // protojson ValueType numbers: STRING=0 BOOL=1 INT64=2 FLOAT64=3 BINARY=4.
            Some(n) => Some(match n.as_u64().unwrap_or(0) {
                1 => TagType::Bool,
                2 => TagType::Int64,
                3 => TagType::Float64,
                4 => TagType::Binary,
                _ => TagType::Other,
            }),
            None => None,
        };
        let ty = declared.unwrap_or(match (&tag.v_bool, &tag.v_int64, &tag.v_float64, &tag.v_binary) {
            (Some(_), ..) => TagType::Bool,
            (_, Some(_), ..) => TagType::Int64,
            (_, _, Some(_), _) => TagType::Float64,
            (.., Some(_)) => TagType::Binary,
            _ => TagType::Other,
        });
        let raw = tag
            .value
            .as_ref()
            .or(tag.v_str.as_ref())
            .or(tag.v_bool.as_ref())
            .or(tag.v_int64.as_ref())
            .or(tag.v_float64.as_ref())
            .or(tag.v_binary.as_ref());
        let Some(raw) = raw else {
            return AnyValue::Empty;
        };
        let value = match ty {
            TagType::Bool => raw.as_bool().map(AnyValue::Bool),
            TagType::Int64 => raw.as_i64().map(AnyValue::Int),
            TagType::Float64 => raw.as_f64().map(AnyValue::Float),
            TagType::Binary => raw.as_str().and_then(decode_base64).map(|b| AnyValue::Bytes(b.into_boxed_slice())),
            TagType::Other => Some(match raw {
                Scalar::Str(s) => AnyValue::Str(self.builder.intern(s)),
                Scalar::Bool(b) => AnyValue::Bool(*b),
                Scalar::I64(i) => AnyValue::Int(*i),
                Scalar::U64(u) => i64::try_from(*u).map_or(AnyValue::Float(*u as f64), AnyValue::Int),
                Scalar::F64(f) => AnyValue::Float(*f),
                Scalar::Null => AnyValue::Empty,
                Scalar::Container(kind) => {
                    self.problem(WarningKind::InvalidValue, format!("{field}: a tag value is {kind}; kept as empty"));
                    return AnyValue::Empty;
                }
            }),
        };
        value.unwrap_or_else(|| {
            self.problem(
                WarningKind::InvalidValue,
                format!("{field}: a {} tag holds {}; kept as empty", ty.name(), raw.kind()),
            );
            AnyValue::Empty
        })
    }
}
