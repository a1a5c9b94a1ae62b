package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// RunLocal runs every stage of the plan in dir on this machine, stage
// after stage, each stage's tasks on a pool of workers (0: one a core),
// as datatrove's local executor does. Tasks that finished in an earlier
// run are skipped, so an interrupted job resumes. progress, if set, is
// told of each task that ends.
func RunLocal(ctx context.Context, work string, workers int, progress func(stage string, task, tasks int, ran bool)) error {
	p, _, err := ReadPlan(work)
	if err != nil {
		return err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for _, s := range Stages(p) {
		n := s.Tasks(p)
		tasks := make(chan int)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for range min(workers, n) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range tasks {
					ran, err := Task(ctx, work, s.Name, i)
					errs[i] = err
					if progress != nil && err == nil {
						progress(s.Name, i, n, ran)
					}
				}
			}()
		}
	feed:
		for i := range n {
			select {
			case tasks <- i:
			case <-ctx.Done():
				break feed
			}
		}
		close(tasks)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, err := range errs {
			if err != nil {
				return fmt.Errorf("%w (the tasks that finished are kept: run again to resume)", err)
			}
		}
	}
	return nil
}
