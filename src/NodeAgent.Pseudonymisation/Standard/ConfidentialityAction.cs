namespace NodeAgent.Pseudonymisation.Standard;

/// <summary>
/// An action code of PS3.15 Table E.1-1. Combined codes (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) are flags:
/// the choice among them depends on the attribute's Type in the IOD, and is made by the engine.
/// </summary>
[Flags]
public enum ConfidentialityAction
{
    None = 0,

    /// <summary>D: replace with a non-zero-length dummy value.</summary>
    Dummy = 1 << 0,

    /// <summary>Z: replace with a zero-length value.</summary>
    Zero = 1 << 1,

    /// <summary>X: remove.</summary>
    Remove = 1 << 2,

    /// <summary>K: keep.</summary>
    Keep = 1 << 3,

    /// <summary>C: clean, replace with values of similar meaning that carry no identifying information.</summary>
    Clean = 1 << 4,

    /// <summary>U: replace with a UID consistent within the set of instances (U* inside a sequence).</summary>
    Uid = 1 << 5,
}

public static class ConfidentialityActionCodes
{
    /// <summary>Parses a code of the table such as <c>X/Z/D</c> or <c>X/Z/U*</c>.</summary>
    public static ConfidentialityAction Parse(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var action = ConfidentialityAction.None;
        foreach (var part in code.Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            action |= part.TrimEnd('*') switch
            {
                "D" => ConfidentialityAction.Dummy,
                "Z" => ConfidentialityAction.Zero,
                "X" => ConfidentialityAction.Remove,
                "K" => ConfidentialityAction.Keep,
                "C" => ConfidentialityAction.Clean,
                "U" => ConfidentialityAction.Uid,
                _ => throw new FormatException($"'{code}' is not an action code of PS3.15 Table E.1-1."),
            };
        }

        return action == ConfidentialityAction.None ? throw new FormatException("An empty action code.") : action;
    }

    /// <summary>The code as the standard writes it: X/Z/D, K, U, ...</summary>
    public static string Format(ConfidentialityAction action)
    {
        var parts = new List<string>(3);
        if (action.HasFlag(ConfidentialityAction.Remove))
        {
            parts.Add("X");
        }

        if (action.HasFlag(ConfidentialityAction.Zero))
        {
            parts.Add("Z");
        }

        if (action.HasFlag(ConfidentialityAction.Dummy))
        {
            parts.Add("D");
        }

        if (action.HasFlag(ConfidentialityAction.Uid))
        {
            parts.Add("U");
        }

        if (action.HasFlag(ConfidentialityAction.Keep))
        {
            parts.Add("K");
        }

        if (action.HasFlag(ConfidentialityAction.Clean))
        {
            parts.Add("C");
        }

        return string.Join('/', parts);
    }
}
