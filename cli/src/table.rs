//! `--output table`: answers as a table for people. A list (or an object holding one list of
//! objects, as most list answers are) is one row per item, with the items' scalar members as
//! columns; any other object is a two-column table of its members.

use comfy_table::{ContentArrangement, Table};
use serde_json::Value;

/// Columns shown at most, and characters per cell.
const MAX_COLUMNS: usize = 8;
const MAX_CELL: usize = 60;

/// `value` as a table.
pub fn render(value: &Value) -> String {
    let mut table = Table::new();
    table.set_content_arrangement(ContentArrangement::Dynamic);
    match rows(value) {
        Some(items) => {
            let mut columns: Vec<String> = Vec::new();
            for item in items.iter().filter_map(Value::as_object) {
                for (key, member) in item {
                    if !member.is_object() && !member.is_array() && !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            columns.truncate(MAX_COLUMNS);
            table.set_header(columns.clone());
            for item in items {
                table.add_row(columns.iter().map(|c| cell(&item[c.as_str()])));
            }
        }
        None => match value.as_object() {
            Some(object) => {
                table.set_header(["member", "value"]);
                for (key, member) in object {
                    table.add_row([key.clone(), cell(member)]);
                }
            }
            None => return cell(value),
        },
    }
    table.to_string()
}

/// The items of a list answer: the value itself, or its one member that is a list of objects.
fn rows(value: &Value) -> Option<&Vec<Value>> {
    if let Some(items) = value.as_array() {
        return Some(items);
    }
    let lists: Vec<&Vec<Value>> = value
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .filter(|items| items.iter().all(Value::is_object))
        .collect();
    match lists.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_CELL {
        let cut: String = text.chars().take(MAX_CELL - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}
