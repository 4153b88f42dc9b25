using System.Diagnostics;
using System.Text;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// What a long-running peer printed on stdout and stderr, interleaved as it arrived. Both pipes must
/// be drained or the peer blocks once a pipe buffer fills; the text is capped so that a chatty peer
/// in a long test cannot eat the test host's memory (the start is kept: that is where errors of
/// start-up are, and the end: that is where the latest failure is).
/// </summary>
public sealed class CapturedOutput
{
    private const int HeadLimit = 64 * 1024;
    private const int TailLimit = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly StringBuilder _head = new();
    private readonly StringBuilder _tail = new();
    private long _droppedCharacters;

    /// <summary>Starts reading both redirected pipes of the process into this capture.</summary>
    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _droppedCharacters == 0 ? _head.ToString() + _tail : $"{_head}[... {_droppedCharacters} characters left out ...]\n{_tail}";
            }
        }
    }

    public override string ToString() => Text;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_head.Length + line.Length < HeadLimit && _tail.Length == 0)
            {
                _head.Append(line).Append('\n');
                return;
            }

            _tail.Append(line).Append('\n');
            if (_tail.Length > TailLimit)
            {
                var excess = _tail.Length - TailLimit / 2;
                _tail.Remove(0, excess);
                _droppedCharacters += excess;
            }
        }
    }
}
