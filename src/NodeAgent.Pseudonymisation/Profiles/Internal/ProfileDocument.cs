using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeAgent.Pseudonymisation.Profiles.Internal;

// The profile file as written by a site admin; ProfileLoader validates it into a PseudonymisationProfile.
internal sealed class ProfileDocument
{
    [JsonPropertyName("$comment")]
    public JsonElement? Comment { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Extends { get; set; }

    public List<string>? Options { get; set; }

    public string? Mode { get; set; }

    public DateShiftDocument? DateShift { get; set; }

    public List<AttributeRuleDocument>? Attributes { get; set; }

    public List<PrivateCreatorRuleDocument>? PrivateCreators { get; set; }

    public PixelsDocument? Pixels { get; set; }
}

internal sealed class DateShiftDocument
{
    public int? MinDays { get; set; }

    public int? MaxDays { get; set; }
}

internal sealed class AttributeRuleDocument
{
    [JsonPropertyName("$comment")]
    public JsonElement? Comment { get; set; }

    public string? Tag { get; set; }

    public string? Action { get; set; }

    public string? Value { get; set; }

    public string? Source { get; set; }

    public ConditionDocument? When { get; set; }
}

internal sealed class PrivateCreatorRuleDocument
{
    [JsonPropertyName("$comment")]
    public JsonElement? Comment { get; set; }

    public string? Creator { get; set; }

    public string? Group { get; set; }

    public List<string>? Offsets { get; set; }

    public string? Action { get; set; }

    public ConditionDocument? When { get; set; }
}

internal sealed class ConditionDocument
{
    public List<string>? Modality { get; set; }

    public List<string>? SopClass { get; set; }

    public List<string>? Manufacturer { get; set; }
}

internal sealed class PixelsDocument
{
    public string? BurnedIn { get; set; }

    public List<PixelRuleDocument>? Rules { get; set; }
}

internal sealed class PixelRuleDocument
{
    [JsonPropertyName("$comment")]
    public JsonElement? Comment { get; set; }

    public string? Manufacturer { get; set; }

    public string? Model { get; set; }

    public int? Rows { get; set; }

    public int? Columns { get; set; }

    public List<RectangleDocument>? Rectangles { get; set; }
}

internal sealed class RectangleDocument
{
    public int X { get; set; }

    public int Y { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ProfileDocument))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
