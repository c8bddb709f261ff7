package synth

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
)

// Split divides the packages into training and dev packages, stratified by
// area: the packages of each area are shuffled with a generator seeded by
// seed and the area's name, and the first round(devFrac × n) of them (at
// least one, when the area has two or more packages) go to dev. An area of
// one package stays in training. Both lists keep the input's order. The
// split depends only on the package paths, the seed and devFrac.
func Split(pkgs []Package, seed int64, devFrac float64) (train, dev []Package, err error) {
	if devFrac <= 0 || devFrac >= 1 {
		return nil, nil, fmt.Errorf("synth: dev fraction %g is not in (0, 1)", devFrac)
	}
	byArea := map[string][]string{}
	for _, p := range pkgs {
		byArea[p.Area] = append(byArea[p.Area], p.Path)
	}
	isDev := map[string]bool{}
	for area, paths := range byArea {
		if len(paths) < 2 {
			continue
		}
		sort.Strings(paths)
		rng := newRand(seed, "split/"+area)
		rng.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
		n := max(1, int(devFrac*float64(len(paths))+0.5))
		for _, p := range paths[:min(n, len(paths)-1)] {
			isDev[p] = true
		}
	}
	for _, p := range pkgs {
		if isDev[p.Path] {
			dev = append(dev, p)
		} else {
			train = append(train, p)
		}
	}
	return train, dev, nil
}

// newRand is a generator seeded by seed and a purpose, so that each use of
// randomness is independent of the others and of map order.
func newRand(seed int64, purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}
