//! The schemas of the OpenAPI document as TypeScript declarations: the web app's API types
//! (`web/src/api-types.ts`), so the client and the contract can't drift apart.
//!
//! Only what the contract uses is rendered: objects, arrays, strings (with `enum` / `const`),
//! integers, numbers, booleans, `type: [T, 'null']`, `oneOf` and local `$ref`s. Anything else is
//! an error, not a silent `unknown`.

use super::OpenApi;
use serde_yaml::Value;

const HEADER: &str = "\
// The API's types, generated from docs/openapi.yaml: do not edit by hand.
// `make api-types` writes this file again; local/tests/openapi_matches_template.rs fails while it
// differs from what the contract says.
";

/// The whole file: one declaration per schema in `components.schemas`, in document order.
pub fn render(api: &OpenApi) -> Result<String, String> {
    let schemas = api
        .schemas()
        .ok_or("the document has no components.schemas")?;
    let mut out = String::from(HEADER);
    for (name, schema) in schemas {
        let name = name.as_str().ok_or("a schema name is not text")?;
        out.push('\n');
        push_doc(&mut out, schema, "");
        let is_interface = schema["type"].as_str() == Some("object")
            && schema["properties"].as_mapping().is_some();
        if is_interface {
            out.push_str(&format!("export interface {name} "));
            out.push_str(&object(schema, "").map_err(|e| format!("{name}: {e}"))?);
            out.push('\n');
        } else {
            let ty = type_of(schema, "").map_err(|e| format!("{name}: {e}"))?;
            out.push_str(&format!("export type {name} = {ty};\n"));
        }
    }
    Ok(out)
}

fn push_doc(out: &mut String, schema: &Value, indent: &str) {
    if let Some(text) = schema["description"].as_str() {
        let text = text.trim();
        if text.contains('\n') {
            out.push_str(&format!("{indent}/**\n"));
            for line in text.lines() {
                out.push_str(&format!("{indent} * {line}\n").replace(" \n", "\n"));
            }
            out.push_str(&format!("{indent} */\n"));
        } else {
            out.push_str(&format!("{indent}/** {text} */\n"));
        }
    }
}

fn type_of(schema: &Value, indent: &str) -> Result<String, String> {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_string)
            .ok_or_else(|| format!("unsupported $ref {reference}"));
    }
    if let Some(options) = schema["oneOf"].as_sequence() {
        let types = options
            .iter()
            .map(|option| type_of(option, indent))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(types.join(" | "));
    }
    match &schema["type"] {
        Value::String(name) => single(name, schema, indent),
        Value::Sequence(names) => {
            let types = names
                .iter()
                .map(|name| single(name.as_str().unwrap_or_default(), schema, indent))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(types.join(" | "))
        }
        other => Err(format!("a schema without a usable type: {other:?}")),
    }
}

fn single(name: &str, schema: &Value, indent: &str) -> Result<String, String> {
    Ok(match name {
        "string" => match (&schema["enum"], &schema["const"]) {
            (Value::Sequence(values), _) => values
                .iter()
                .map(|v| literal(v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(" | "),
            (_, Value::String(value)) => literal(value),
            _ => "string".into(),
        },
        "integer" | "number" => "number".into(),
        "boolean" => match &schema["const"] {
            Value::Bool(value) => value.to_string(),
            _ => "boolean".into(),
        },
        "null" => "null".into(),
        "array" => {
            let items = type_of(&schema["items"], indent)?;
            if items.contains(' ') {
                format!("({items})[]")
            } else {
                format!("{items}[]")
            }
        }
        "object" => match schema["properties"].as_mapping() {
            Some(_) => object(schema, indent)?,
            None => "Record<string, unknown>".into(),
        },
        other => return Err(format!("unsupported type {other}")),
    })
}

fn object(schema: &Value, indent: &str) -> Result<String, String> {
    let required: Vec<&str> = schema["required"]
        .as_sequence()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let inner = format!("{indent}  ");
    let mut out = String::from("{\n");
    for (name, property) in schema["properties"].as_mapping().into_iter().flatten() {
        let name = name.as_str().ok_or("a property name is not text")?;
        push_doc(&mut out, property, &inner);
        let optional = if required.contains(&name) { "" } else { "?" };
        let ty = type_of(property, &inner).map_err(|e| format!("{name}: {e}"))?;
        out.push_str(&format!("{inner}{name}{optional}: {ty};\n"));
    }
    out.push_str(&format!("{indent}}}"));
    Ok(out)
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(schemas: &str) -> String {
        let doc = format!("openapi: 3.1.0\ncomponents:\n  schemas:\n{schemas}");
        render(&OpenApi::parse(&doc).unwrap()).unwrap()
    }

    #[test]
    fn objects_become_interfaces_with_optional_and_nullable_fields() {
        let text = rendered(
            "    Thing:
      description: A thing.
      type: object
      required: [id, owner]
      properties:
        id: { type: string }
        owner: { type: [string, 'null'] }
        count: { type: integer }
        tags: { type: array, items: { $ref: '#/components/schemas/Tag' } }
    Tag:
      type: string
      enum: [a, b]
",
        );
        assert!(text.contains(
            "/** A thing. */\nexport interface Thing {\n  id: string;\n  owner: string | null;\n  count?: number;\n  tags?: Tag[];\n}\n"
        ), "{text}");
        assert!(text.contains("export type Tag = 'a' | 'b';\n"), "{text}");
    }

    #[test]
    fn one_of_and_free_form_objects() {
        let text = rendered(
            "    Maybe:
      oneOf: [{ $ref: '#/components/schemas/Any' }, { type: 'null' }]
    Any:
      type: object
",
        );
        assert!(text.contains("export type Maybe = Any | null;"), "{text}");
        assert!(
            text.contains("export type Any = Record<string, unknown>;"),
            "{text}"
        );
    }

    #[test]
    fn what_it_cannot_render_is_an_error() {
        let doc = "openapi: 3.1.0\ncomponents:\n  schemas:\n    X:\n      allOf: []\n";
        assert!(render(&OpenApi::parse(doc).unwrap()).is_err());
    }
}
