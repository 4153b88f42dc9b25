namespace NodeAgent.Dicom.Internal;

/// <summary>
/// Results of the shared sync/async code paths called with <c>async: false</c>: those never
/// suspend, so the task is already complete. Anything else is a bug, reported as such.
/// </summary>
internal static class SyncCompletion
{
    public static T Result<T>(ValueTask<T> task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A synchronous read or write suspended; this is a bug in NodeAgent.Dicom.");
        }

        return task.GetAwaiter().GetResult();
    }

    public static void Wait(ValueTask task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A synchronous read or write suspended; this is a bug in NodeAgent.Dicom.");
        }

        task.GetAwaiter().GetResult();
    }
}
