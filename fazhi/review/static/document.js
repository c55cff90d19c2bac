/* fazhi review: hover, click, sort and filter on a document page; the data is the page's review-data JSON */
(function(){
var D=JSON.parse(document.getElementById('review-data').textContent);
var text=document.getElementById('text'),tip=document.getElementById('tip'),detail=document.getElementById('detail');
var box=document.getElementById('tablebox'),tbody=document.querySelector('table.recs tbody'),RH=25;
document.documentElement.style.setProperty('--hh',document.querySelector('header').offsetHeight+'px');
function esc(s){return String(s==null?'':s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
function row(k,v,cls){return '<tr><td>'+k+'</td><td'+(cls?' class="'+cls+'"':'')+'>'+esc(v)+'</td></tr>';}
function card(r,removed){
  var h='<div class="card" style="--c:'+(D.colors[r.type]||'#ccc')+'"><b>'+esc(r.text)+'</b> '+(removed?'<span class="warn">removed by the rule change</span>':'')+(r.diff?' <b class="warn">'+r.diff+'</b>':'')+'<table>';
  h+=row('type',r.type)+row('value',r.value_s)+row('unit',r.unit)+row('qualifier',r.qualifier);
  if(r.direction)h+=row('direction',r.direction);
  h+=row('subject',r.subject)+row('category',r.category);
  if(r.cell)h+=row('cell','table '+r.cell.table+', row '+r.cell.row+', column '+r.cell.col);
  h+=row('extractor',r.extractor)+row('rule',r.rule)+row('ruleset',r.ruleset)+row('section',r.section)+row('offsets',r.start+'–'+r.end);
  (r.old||[]).forEach(function(o){h+=row('before',(o.text&&o.text!==r.text?o.text+' · ':'')+o.value_s+' '+(o.unit||'')+' '+(o.qualifier||'')+' '+(o.subject||'')+' '+(o.category||''),'old');});
  return h+'</table></div>';}
function entCard(x){return '<div class="card" style="--c:#6a3d9a"><b>'+esc(x.text)+'</b> entity<table>'+row('label',x.label)+row('model',x.model)+'</table></div>';}
function hits(t){var rs=[];while(t&&t!==text){if(t.dataset){if(t.dataset.i)rs.push(card(D.records[+t.dataset.i]));else if(t.dataset.g)rs.push(card(D.removed[+t.dataset.g],true));else if(t.dataset.e)rs.push(entCard(D.entities[+t.dataset.e]));}t=t.parentNode;}return rs;}
text.addEventListener('mouseover',function(ev){var h=hits(ev.target);if(!h.length){tip.style.display='none';return;}tip.innerHTML=h.join('');tip.style.display='block';});
text.addEventListener('mousemove',function(ev){var x=Math.min(ev.clientX+14,innerWidth-tip.offsetWidth-8),y=ev.clientY+16;if(y+tip.offsetHeight>innerHeight)y=ev.clientY-tip.offsetHeight-10;tip.style.left=x+'px';tip.style.top=y+'px';});
text.addEventListener('mouseout',function(ev){if(!text.contains(ev.relatedTarget)||!hits(ev.relatedTarget).length)tip.style.display='none';});
// the table: one item per record (and per removed record), only the visible rows are in the DOM
var items=D.records.map(function(r,i){return {r:r,i:i,d:r.diff||'same'};}).concat(D.removed.map(function(r,g){return {r:r,g:g,d:'removed'};}));
var cols=[['start',1],['type'],['value',1],['unit'],['qualifier'],['subject'],['category'],['text'],['diff']];
var order=items.slice(),sel={};
function cell(it,k){var r=it.r,c=cols[k][0];if(c==='diff')return it.d==='same'?'':it.d;if(c==='value')return r.value_s;return r[c];}
function rowHtml(it){var r=it.r,a=it.i!=null?'#r-'+it.i:'#g-'+it.g,h='<tr'+(it.i!=null?' id="row-'+it.i+'"':'')+' class="'+(it.g!=null?'gone':'')+(sel[it.i]?' sel':'')+'">';
  h+='<td class="num"><a href="'+a+'">'+r.start+'</a></td><td><span class="sw" style="background:'+(D.colors[r.type]||'#ccc')+'"></span>'+esc(r.type)+'</td><td class="num">'+esc(r.value_s)+'</td><td>'+esc(r.unit)+'</td><td>'+esc(r.qualifier)+'</td>';
  h+='<td title="'+esc(r.subject)+'">'+esc(r.subject)+'</td><td>'+esc(r.category)+'</td><td><a href="'+a+'">'+esc(r.text)+'</a></td>'+(D.diff?'<td>'+cell(it,8)+'</td>':'')+'</tr>';return h;}
function render(){var n=order.length,first=Math.max(0,Math.floor(box.scrollTop/RH)-10),last=Math.min(n,first+Math.ceil(box.clientHeight/RH)+30);
  var h='<tr style="height:'+(first*RH)+'px"></tr>';for(var k=first;k<last;k++)h+=rowHtml(order[k]);
  tbody.innerHTML=h+'<tr style="height:'+((n-last)*RH)+'px"></tr>';document.getElementById('shown').textContent=n;}
box.addEventListener('scroll',function(){if(!render.q){render.q=1;requestAnimationFrame(function(){render.q=0;render();});}});
function showRow(i){var k=order.findIndex(function(it){return it.i==i;});if(k<0)return;var y=k*RH;
  if(y<box.scrollTop+RH||y>box.scrollTop+box.clientHeight-2*RH)box.scrollTop=Math.max(0,y-box.clientHeight/3);render();}
function select(ids,scrollRow){document.querySelectorAll('mark.sel').forEach(function(n){n.classList.remove('sel');});sel={};
  ids.forEach(function(i){sel[i]=1;document.querySelectorAll('mark[data-i="'+i+'"]').forEach(function(m){m.classList.add('sel');});});
  if(scrollRow&&ids.length)showRow(ids[0]);else render();}
text.addEventListener('click',function(ev){var h=hits(ev.target);if(!h.length)return;detail.innerHTML=h.join('');
  var ids=[],t=ev.target;while(t&&t!==text){if(t.dataset&&t.dataset.i)ids.push(t.dataset.i);t=t.parentNode;}select(ids,true);});
function fromHash(){var m=/^#([rg])-(\d+)$/.exec(location.hash);if(!m)return;var i=m[2],mk=document.getElementById(m[1]+'-'+i);
  if(m[1]==='r'){detail.innerHTML=card(D.records[+i]);select([i],false);}else detail.innerHTML=card(D.removed[+i],true);
  if(mk){mk.scrollIntoView({block:'center'});mk.classList.remove('flash');void mk.offsetWidth;mk.classList.add('flash');}}
window.addEventListener('hashchange',fromHash);
var ths=document.querySelectorAll('table.recs th');
ths.forEach(function(th,k){th.addEventListener('click',function(){var dir=th.classList.contains('asc')?-1:1;ths.forEach(function(o){o.classList.remove('asc','desc');});th.classList.add(dir>0?'asc':'desc');
  var c=cols[k][0],num=cols[k][1];
  order.sort(function(a,b){var x=num?a.r[c]:cell(a,k),y=num?b.r[c]:cell(b,k);
    if(num){x=x==null?-Infinity:x;y=y==null?-Infinity:y;return (x-y)*dir||(a.r.start-b.r.start);}
    return String(x==null?'':x).localeCompare(String(y==null?'':y),'zh')*dir||(a.r.start-b.r.start);});
  render();});});
var fType=document.getElementById('f-type'),fCat=document.getElementById('f-cat'),fDiff=document.getElementById('f-diff');
function ok(it){var t=fType.value,c=fCat.value,d=fDiff?fDiff.value:'';return (!t||it.r.type===t)&&(!c||(it.r.category||'')===c)&&(!d||it.d===d);}
function filter(){var pos=new Map(order.map(function(it,k){return [it,k];}));
  var rest=items.filter(function(it){return !pos.has(it);});order=order.filter(ok).concat(rest.filter(ok));
  var t=fType.value,c=fCat.value,d=fDiff?fDiff.value:'',nots=(t?':not(.t-'+CSS.escape(t)+')':'')+(c?':not([data-c="'+CSS.escape(c)+'"])':'');
  var rules=[];if(nots)rules.push('#text mark.rec'+nots.replace(/\):not\(/g,'),#text mark.rec:not('));
  if(d)rules.push(d==='same'?'#text mark.rec.added,#text mark.rec.changed':d==='removed'?'#text mark.rec':'#text mark.rec:not(.'+d+')');
  dimStyle.textContent=rules.map(function(r){return r+'{background:#eee;color:#999}';}).join('');
  box.scrollTop=0;render();}
var dimStyle=document.head.appendChild(document.createElement('style'));
fType.addEventListener('change',filter);fCat.addEventListener('change',filter);if(fDiff)fDiff.addEventListener('change',filter);
render();fromHash();
})();
