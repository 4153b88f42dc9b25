namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// Encodes text as an ISO/IEC 2022 byte stream (PS3.5 6.1.2.5), writing escape sequences only where
/// the designation changes. Each non-ASCII character goes to the first candidate set (declared term
/// order) that holds it. Before every reset delimiter and at the end of the value the initial sets are
/// restored, so G0 gets an explicit escape back (the "ESC ( B" before '^' in PS3.5 Annex H), while a
/// G1 that started empty is simply designated again after the delimiter (ESC $ ) C in every Korean
/// name component of Annex I).
/// </summary>
internal sealed class Iso2022Encoder
{
    private readonly CodeElement _initialG0;
    private readonly CodeElement? _initialG1;
    private readonly CodeElement[] _candidates;
    private readonly bool _designates;

    /// <param name="initialG0">The G0 set of value 1; single-byte.</param>
    /// <param name="initialG1">The G1 set active without an escape sequence, or null.</param>
    /// <param name="candidates">The sets for non-ASCII characters, in order of preference.</param>
    /// <param name="designates">
    /// False when code extensions are not in use: only the initial sets are then candidates, and a
    /// literal ESC is ordinary text rather than something a reader would take for a designation.
    /// </param>
    public Iso2022Encoder(CodeElement initialG0, CodeElement? initialG1, CodeElement[] candidates, bool designates)
    {
        _initialG0 = initialG0;
        _initialG1 = initialG1;
        _candidates = candidates;
        _designates = designates;
    }

    /// <summary>True when a literal ESC cannot be written because readers would take it for a designation.</summary>
    public bool RejectsEscape => _designates;

    public bool TryEncode(string value, ResetDelimiters delimiters, ref PooledBuilder<byte> output, out int failedIndex)
    {
        Span<byte> scratch = stackalloc byte[8];
        var g0 = _initialG0;
        var g1 = _initialG1;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c < 0x80)
            {
                if (c == CodeElements.Esc && _designates)
                {
                    failedIndex = i;
                    return false;
                }

                if (delimiters.IsDelimiter(c))
                {
                    Restore(ref output, ref g0, ref g1);
                    g1 = _initialG1;
                }
                else if (c >= 0x20 && c != 0x7F && g0.IsMultiByte)
                {
                    // A space is switched back too: ISO-2022-JP readers and stricter decoders expect it.
                    g0 = _initialG0;
                    output.Append(g0.EscapeSequence);
                }

                output.Append((byte)c);
                i++;
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
            var scalar = value.AsSpan(i, length);
            var chosen = FindCandidate(scalar, scratch, out var written);
            if (chosen is null)
            {
                failedIndex = i;
                return false;
            }

            if (chosen.Register == GraphicRegister.G0 && g0 != chosen)
            {
                g0 = chosen;
                output.Append(chosen.EscapeSequence);
            }
            else if (chosen.Register == GraphicRegister.G1 && g1 != chosen)
            {
                g1 = chosen;
                output.Append(chosen.EscapeSequence);
            }

            output.Append(scratch[..written]);
            i += length;
        }

        Restore(ref output, ref g0, ref g1);
        failedIndex = -1;
        return true;
    }

    private CodeElement? FindCandidate(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        // A lone surrogate is not a character of any set.
        if (!char.IsSurrogate(scalar[0]) || scalar.Length == 2)
        {
            foreach (var candidate in _candidates)
            {
                if (candidate.TryEncode(scalar, destination, out written))
                {
                    return candidate;
                }
            }
        }

        written = 0;
        return null;
    }

    private void Restore(ref PooledBuilder<byte> output, ref CodeElement g0, ref CodeElement? g1)
    {
        if (g0 != _initialG0)
        {
            g0 = _initialG0;
            output.Append(g0.EscapeSequence);
        }

        if (_initialG1 is not null && g1 != _initialG1)
        {
            g1 = _initialG1;
            output.Append(_initialG1.EscapeSequence);
        }
    }
}
