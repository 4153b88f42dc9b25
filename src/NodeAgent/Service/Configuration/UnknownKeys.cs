using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace NodeAgent.Service.Configuration;

/// <summary>
/// Finds configuration keys that no setting reads (typos), with the nearest known key as a hint, and
/// values that are not of their setting's type (the binder drops a whole source over a word where a
/// number belongs, without a word).
/// </summary>
internal static class UnknownKeys
{
    public static void Find(IConfigurationSection section, Type type, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var hint = properties.Keys.MinBy(k => Distance(k.ToUpperInvariant(), child.Key.ToUpperInvariant()));
                problems.Add($"{child.Path} is not a setting NodeAgent knows{(hint is null ? "" : $" (did you mean {section.Path}:{hint}?)")}.");
                continue;
            }

            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (child.Value is { } value && !Fits(value, propertyType))
            {
                problems.Add($"{child.Path} must be {Describe(propertyType)} (got '{value}').");
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                var valueType = propertyType.GetGenericArguments()[1];
                foreach (var entry in child.GetChildren())
                {
                    Find(entry, valueType, problems);
                }
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                // A list's entries are keyed 0, 1, ...: values, not settings.
            }
            else if (propertyType.IsClass && propertyType != typeof(string))
            {
                Find(child, propertyType, problems);
            }
        }
    }

    private static bool Fits(string value, Type type) =>
        type == typeof(int) ? int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)
        : type == typeof(double) ? double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        : type != typeof(bool) || bool.TryParse(value, out _);

    private static string Describe(Type type) => type == typeof(int) ? "a whole number" : type == typeof(double) ? "a number" : "true or false";

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }
}
