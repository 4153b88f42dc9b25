namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>
/// Where a kind of image carries burned-in text: rectangles blanked in every frame of uncompressed
/// pixel data, for images of this manufacturer, model and size (absent fields match any).
/// </summary>
public sealed record PixelRule(string? Manufacturer, string? Model, int? Rows, int? Columns, IReadOnlyList<PixelRectangle> Rectangles)
{
    public bool Matches(InstanceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return Same(Manufacturer, facts.Manufacturer) && Same(Model, facts.ManufacturerModelName) &&
            (Rows is null || Rows == facts.Rows) && (Columns is null || Columns == facts.Columns);
    }

    public override string ToString() =>
        $"manufacturer {Manufacturer ?? "any"}, model {Model ?? "any"}, {(Rows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any")}x{(Columns?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any")} rows x columns, {Rectangles.Count} rectangle(s)";

    private static bool Same(string? wanted, string? actual) =>
        wanted is null || string.Equals(wanted.Trim(), actual?.Trim(), StringComparison.OrdinalIgnoreCase);
}

/// <summary>A rectangle in pixels: column <see cref="X"/>, row <see cref="Y"/>, from the top left.</summary>
public sealed record PixelRectangle(int X, int Y, int Width, int Height);
